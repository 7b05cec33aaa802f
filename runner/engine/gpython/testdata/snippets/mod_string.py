# snippet: modules | the string module constants
import string
print(string.ascii_lowercase, string.digits, string.punctuation[:5], string.capwords('a b'))
