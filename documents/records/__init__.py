"""The records office's domain (issue 17): incoming documents (``incoming``), the registers
(``registers``), case files (``casefiles``), recall and correction (``recall``), and printed
copies (``printing``). Search lives in documents.search."""
