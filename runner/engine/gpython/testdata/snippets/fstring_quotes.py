# snippet: str | f-strings with quotes, dict subscripts, nested f-strings and raw
d = {'key': 'value', 'n': 2}
print(f"{d['key']} {d['n'] + 1}")
print(f'{"double" + "quotes"}', f"""{'triple'}""", f'''{"x"}''')
who = 'you'
print(f"outer {f'inner {who}'} done")
print(rf'\d+ {who}', fr'\n{who}')
print(F'upper {who}')
