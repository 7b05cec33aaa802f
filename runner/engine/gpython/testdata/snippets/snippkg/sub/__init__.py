from .util import helper
VALUE = 42
