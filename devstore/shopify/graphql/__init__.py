"""The GraphQL Admin API subset the app uses: parsing, cost and the bucket, resolvers, bulk exports.

``parser`` reads a document into fields; ``types`` says what each field of each object is (which is
what the cost and the rendering need); ``cost`` prices a selection; ``bucket`` is the per-shop
leaky bucket; ``objects`` turns devstore models into field sources; ``listing`` pages and filters
them; ``execute`` answers one request; ``bulk`` runs ``bulkOperationRunQuery``; ``routes`` is HTTP.
"""
