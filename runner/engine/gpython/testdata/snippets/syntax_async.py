# snippet: syntax | async def / await
# status: fails
# note: async def / await are Python 3.5 syntax
async def f():
    return 1
print('defined')
