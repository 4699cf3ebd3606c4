"""Article input: files, standard input and URLs to the article text and its source."""
