# snippet: modules | html.escape and html.unescape
import html
print(html.escape('<a href="x">&\'</a>'), html.escape('<"q">', quote=False), html.unescape('&lt;&amp;&#39;&eacute;&#x41;'))
