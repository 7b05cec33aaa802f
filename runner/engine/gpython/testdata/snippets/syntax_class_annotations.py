# snippet: syntax | class-level annotations with and without values
class Config:
    host: str = '127.0.0.1'
    port: int = 8080
    debug: bool
    tags: list = []
    def url(self) -> str:
        return f'http://{self.host}:{self.port}'
c = Config()
print(c.url(), Config.port, hasattr(Config, 'debug'))
total: int = 0
for i in range(3):
    total += i
count: int
print(total)
