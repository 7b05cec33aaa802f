# snippet: exceptions | traceback.format_exc() (last line)
import traceback
try:
    1 / 0
except ZeroDivisionError:
    print(traceback.format_exc().strip().splitlines()[-1])
