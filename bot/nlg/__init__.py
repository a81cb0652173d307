"""How replies are rendered inside the Rasa server: the practice's details filled in (``practice``)
and the second part of longer answers, "Tell me more" (``faq_more``)."""
