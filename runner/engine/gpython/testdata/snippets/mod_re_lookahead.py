# snippet: modules | re with lookahead
# status: fails
# note: re runs on Go's regexp (RE2): no lookahead or lookbehind; re.error at compile time
import re
print(re.findall(r'\w+(?=!)', 'hi! there'))
