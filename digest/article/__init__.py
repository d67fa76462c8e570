"""The article parser: a round-up's page text (or HTML) in, a ParsedDigest out.

Pure functions over text: no file is read or written in this package.
"""
