"""What a report and its issuer are, as data: the agencies and the names they go by.

Imports nothing else of nianbao: the parser, the archive, the crawler and the checks all
build on it.
"""
