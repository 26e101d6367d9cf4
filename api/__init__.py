"""The thin HTTP layer: parse, authenticate, authorise, call one service function, shape."""
