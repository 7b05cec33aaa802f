# snippet: modules | re with lookahead
import re
print(re.findall(r'\w+(?=!)', 'hi! there'))
