# snippet: modules | re with a backreference
import re
print(re.match(r'(a)\1', 'aa').group())
