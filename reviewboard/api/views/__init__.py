"""The API's views, split by audience: public, authors, board, editors (and their base).

Each parses, authorizes, calls one selector or service, and answers JSON. Public reads go through
``articles.selectors`` only, so the approval gate stays in one place; every write calls the same
service as the web pages.
"""
