"""Press monitoring (product §11.4): sources and watch terms, the fetched items, their clusters, the morning
digest and the emerging issues. ``rules`` is pure (matching, clustering, scores); ``fetcher`` does the network."""
