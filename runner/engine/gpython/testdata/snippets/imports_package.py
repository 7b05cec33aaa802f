# snippet: modules | packages, dotted imports, from-import of submodules, relative imports
import snippkg.sub
from snippkg import sub
from snippkg.sub import VALUE
import snippkg.sub as alias
print(snippkg.sub.VALUE, sub.VALUE, VALUE, alias.helper(), snippkg.NAME)
