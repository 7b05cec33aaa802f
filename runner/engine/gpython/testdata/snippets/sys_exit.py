# snippet: builtins | sys.exit raises SystemExit
try:
    import sys
    sys.exit(3)
except SystemExit as e:
    print('SystemExit', e.args)
