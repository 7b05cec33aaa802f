# snippet: syntax | function annotations and keyword-only arguments (3.0)
def f(a: int, *, b: str = 'x') -> str:
    return str(a) + b
print(f(1, b='y'), sorted(f.__annotations__))
