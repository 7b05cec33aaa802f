# snippet: functions | global statement and module-level state
COUNT = 0
def bump():
    global COUNT
    COUNT += 1
bump(); bump()
print(COUNT)
