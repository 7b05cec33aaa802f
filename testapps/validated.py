"""testapps/pure.py's router wrapped in Python's own PEP 3333 checker:
wsgiref.validate raises or warns on anything the server gets wrong."""
from wsgiref.validate import validator

import pure

application = validator(pure.router)
