"""The refusal every service raises, in a module of its own so that the chain runner and the
services (which use each other) can both name it."""


class ApplicationError(Exception):
    """A refused action, with a message that tells the person what to do.

    ``field`` names the form field the refusal is about (the page marks it and moves focus there).
    """

    def __init__(self, message, *, code="refused", field=None):
        super().__init__(str(message))
        self.message = str(message)
        self.code = code
        self.field = field
