# snippet: str | an error inside an f-string field reports its line
import traceback
def render(d):
    return f'value: {d["missing"]}'
try:
    render({})
except KeyError as e:
    lines = traceback.format_exc().splitlines()
    print(repr(e), [l[l.rfind('/') + 1:].strip() for l in lines if 'line' in l])  # file names, not the checkout's path
