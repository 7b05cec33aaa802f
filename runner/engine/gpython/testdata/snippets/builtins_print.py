# snippet: builtins | print with sep, end and file=sys.stderr
import sys
print('a', 'b', sep='-', end='!\n')
print('to stderr', file=sys.stderr)
sys.stdout.write('written\n')
