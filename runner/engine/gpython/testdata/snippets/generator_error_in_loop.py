# snippet: functions | an exception raised inside a generator during a for loop
def gen():
    yield 1
    raise ValueError('in the generator')
try:
    for x in gen():
        print('got', x)
except ValueError as e:
    print('propagated:', e)
