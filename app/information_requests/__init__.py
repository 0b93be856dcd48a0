"""Citizens' requests for information under the Law on Access to Information 2016 (Luật Tiếp cận thông tin,
104/2016/QH13): a public form and API; each request is a case with the legal trigger
``citizen_information_request``, whose clocks (Điều 30) come from the rule pack."""
