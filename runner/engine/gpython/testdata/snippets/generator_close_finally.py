# snippet: functions | generator.close() runs the generator's finally block
# status: works
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
