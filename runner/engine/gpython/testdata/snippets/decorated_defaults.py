# snippet: functions | decorated functions with defaults, keyword-only defaults and annotations
def tag(name):
    def deco(fn):
        fn.tag = name
        return fn
    return deco
@tag('route')
def handler(environ, start_response=None, *, method: str, status: int = 200) -> list:
    return [method, status, start_response]
print(handler({}, method='GET'), handler.tag, sorted(handler.__annotations__))
def sort_by(items, *, key, reverse=False):
    return sorted(items, key=key, reverse=reverse)
print(sort_by([3, 1, 2], key=lambda x: x), sort_by('bca', key=str, reverse=True))
