"""The one error type that ends a run with exit code 2."""


class InputError(Exception):
    """Bad input or usage: the message is one line naming the file and the problem."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def one_line(self) -> str:
        text = " ".join(str(self).split())
        return f"{text} (hint: {self.hint})" if self.hint else text
