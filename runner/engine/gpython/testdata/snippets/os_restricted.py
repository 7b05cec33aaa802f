# snippet: modules | os.system, os._exit, os.chdir and file writes
# status: fails
# note: by design: gowsgi removes os._exit, system, chdir, putenv, unsetenv, remove*, rmdir, mkdir*, makedirs, fdopen and close from os; open() is read-only and confined to the app directory
import os
print(os.getcwd() != '', 'HOME' in os.environ or True)
os.system('true')
