"""The leaves of ganlib: small helpers that import nothing else from the package.

- `ganlib.core.arguments`: the shared checks of arguments ("a positive whole number", "one of
  these names"), each raising one `ValueError` that names the problem and the fix.
- `ganlib.core.pixels`: image shapes and pixel ranges: uint8 0..255, [0, 1] and [-1, 1].
- `ganlib.core.files`: crash-safe writes, a writable-folder check, and saving and loading
  generators safely.
"""
