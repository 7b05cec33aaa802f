# snippet: modules | os.path join/dirname/basename/splitext/normpath/split/isabs
import os.path
import os
print(os.path.join('a', 'b', 'c.txt'), os.path.join('/x', '/abs'), os.path.dirname('/a/b/c'), os.path.basename('/a/b/c.py'))
print(os.path.splitext('f.tar.gz'), os.path.splitext('.bashrc'), os.path.normpath('a/./b/../c//d'), os.path.split('/a/b'), os.path.isabs('/x'), os.sep)
