# snippet: modules | importing a missing module raises ModuleNotFoundError naming it
try:
    import does_not_exist
except ImportError as e:
    print(type(e).__name__, e)
