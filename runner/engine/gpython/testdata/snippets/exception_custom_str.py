# snippet: exceptions | an exception class overriding __str__ and __init__ with keywords
class ApiError(Exception):
    def __init__(self, message, status=500):
        super().__init__(message)
        self.message = message
        self.status = status
    def __str__(self):
        return '%d: %s' % (self.status, self.message)
try:
    raise ApiError('gone', status=410)
except ApiError as e:
    print(str(e), e.status, e.message, e.args, '%s' % e, '{}'.format(e))
