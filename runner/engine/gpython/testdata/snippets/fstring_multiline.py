# snippet: str | triple-quoted f-strings over several lines keep later line numbers
import traceback
user = 'ann'
page = f"""<html>
  <body>{user}</body>
</html>"""
print(page)
try:
    1 / 0
except ZeroDivisionError:
    line = traceback.format_exc().splitlines()[1].strip()
    print(line[line.rfind('/') + 1:])  # the file's name, not where the checkout is
