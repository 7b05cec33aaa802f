# snippet: exceptions | user exception setting self.attr in __init__
class AppError(Exception):
    def __init__(self, msg, code=400):
        super().__init__(msg)
        self.code = code
try:
    raise AppError('bad input', 422)
except AppError as e:
    print(e.code, e, e.args)
