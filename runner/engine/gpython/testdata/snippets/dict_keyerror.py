# snippet: containers | KeyError message for a missing key
try:
    {}['missing']
except KeyError as e:
    print('KeyError', e, repr(e))
