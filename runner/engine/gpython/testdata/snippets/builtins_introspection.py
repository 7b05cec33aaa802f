# snippet: builtins | type().__name__, isinstance, issubclass, callable, hasattr, getattr
class A(object): pass
class B(A): pass
print(type(1).__name__, type('').__name__, type([]).__name__, type({}).__name__, type(B()).__name__, B().__class__.__name__)
print(isinstance(B(), A), isinstance(1, (str, int)), isinstance(True, int), issubclass(B, A), callable(len), callable(1), hasattr(A, 'x'), getattr(A, 'x', 'dflt'))
