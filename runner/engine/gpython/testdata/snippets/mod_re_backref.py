# snippet: modules | re with a backreference
# status: fails
# note: re runs on Go's regexp (RE2): no backreferences; re.error at compile time
import re
print(re.match(r'(a)\1', 'aa').group())
