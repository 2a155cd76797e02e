"""The /v1/ views: generations, files and presigned links."""
