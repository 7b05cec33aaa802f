# snippet: syntax | async def / await
async def f():
    return 1
print('defined')
