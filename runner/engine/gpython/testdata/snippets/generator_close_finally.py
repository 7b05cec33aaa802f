# snippet: functions | generator.close() runs the generator's finally block
# status: differs
# note: close() stops a generator but its finally blocks do not run (gpython cannot throw GeneratorExit into a frame); gowsgi calls close() on WSGI responses, so cleanup in a generator's finally is skipped
def gen():
    try:
        yield 1
        yield 2
    finally:
        print('finally ran')
g = gen()
print(next(g))
g.close()
print('closed')
