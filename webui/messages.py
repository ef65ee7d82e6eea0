"""The engine's error messages in Vietnamese, for the pages people read.

The engine (and so the CLI and its JSON) words its errors in English; the web pages show
them in Vietnamese. Each known message is matched by its pattern and re-worded with the
values it names; a message no pattern knows gets a general Vietnamese sentence rather
than English.
"""
from __future__ import annotations

import re

GENERAL = "Câu tìm kiếm hoặc bộ lọc chưa đúng cú pháp."

# Each search parameter's label on the pages.
LABELS = {"signer": "Người ký", "issuer": "Cơ quan ban hành", "type": "Loại văn bản", "ref": "Trích dẫn số",
          "year": "Năm", "from": "Từ ngày", "to": "Đến ngày", "status": "Hiệu lực", "asof": "Hiệu lực tính đến ngày"}
_PARAMETERS = {**LABELS, "q": "Từ khóa", "limit": "Số kết quả", "offset": "Vị trí bắt đầu"}

# (English pattern, Vietnamese template): the template's {names} are the pattern's groups.
_MESSAGES = [
    (r'Unbalanced quotes: .*', 'Thiếu dấu ngoặc kép: một cụm từ mở bằng " nhưng không được đóng lại.'),
    (r"Unbalanced parentheses: '\(' is never closed\.", "Thiếu dấu ngoặc: có “(” nhưng không có “)” tương ứng."),
    (r"Unbalanced parentheses: '\)' has no matching '\('\.", "Thừa dấu ngoặc: có “)” nhưng không có “(” tương ứng."),
    (r"Unknown field '(?P<name>.*):'; the fields are (?P<fields>.*)\.",
     "Không có trường “{name}:”; các trường là {fields}."),
    (r"'(?P<name>\w+):' needs a value after the colon, e\.g\. (?P<example>.*)\.",
     "Trường “{name}:” cần một giá trị sau dấu hai chấm, ví dụ {example}."),
    (r"'(?P<name>\w+):' needs a name with letters\.", "Trường “{name}:” cần một tên có chữ cái."),
    (r"Stray colon in '(?P<raw>.*)': .*", "Dấu hai chấm không đúng chỗ trong “{raw}”: "
                                          "hãy viết tên trường trước nó, ví dụ signer:Hiệp."),
    (r"'(?P<raw>.*)': only a trailing wildcard is supported.*",
     "“{raw}”: chỉ dùng được dấu * ở cuối từ (vắc*), không dùng ở đầu hay giữa từ."),
    (r"'(?P<raw>.*)': a wildcard needs at least two letters before it\.",
     "“{raw}”: cần ít nhất hai chữ cái trước dấu *."),
    (r"OR needs a search term on both sides\.", "OR cần một từ tìm kiếm ở cả hai bên."),
    (r"(?P<op>\S+) must be followed by a search term\.", "Sau {op} cần có một từ tìm kiếm."),
    (r"Bad date '(?P<text>.*)': the month must be 1 to 12\.", "Ngày “{text}” không hợp lệ: tháng phải từ 1 đến 12."),
    (r"Bad date '(?P<text>.*)': that month has (?P<days>\d+) days\.",
     "Ngày “{text}” không hợp lệ: tháng đó chỉ có {days} ngày."),
    (r"Bad date '(?P<text>.*?)'.*", "Ngày “{text}” không hợp lệ: hãy viết dd/mm/yyyy, mm/yyyy hoặc yyyy "
                                    "(ví dụ 31/12/2021)."),
    (r"The date range is empty: (?P<lo>\S+) is after (?P<hi>\S+)\.",
     "Khoảng thời gian trống: ngày bắt đầu {lo} sau ngày kết thúc {hi}."),
    (r"'(?P<value>.*)' is not a document number such as 128/NQ-CP\.",
     "“{value}” không phải là một số hiệu văn bản (ví dụ 128/NQ-CP)."),
    (r"Bad year '(?P<value>.*)'.*", "Năm “{value}” không hợp lệ: hãy viết bốn chữ số, ví dụ 2021."),
    (r"The query is too long \((?P<n>\d+) characters; the limit is (?P<limit>\d+)\)\.",
     "Câu tìm kiếm quá dài ({n} ký tự; tối đa {limit})."),
    (r"'(?P<param>\w+)' is too long \((?P<n>\d+) characters; the limit is (?P<limit>\d+)\)\.",
     "Bộ lọc “{param}” quá dài ({n} ký tự; tối đa {limit})."),
    (r"'(?P<param>\w+)' must be text, not .*", "Bộ lọc “{param}” phải là văn bản."),
    (r"'(?P<param>\w+)' must be a whole number, 0 or more\.", "“{param}” phải là một số nguyên không âm."),
    (r"Unknown sort '(?P<sort>.*)': .*", "Không có cách sắp xếp “{sort}”."),
    (r"Unknown status '(?P<status>.*)': .*", "Không có tình trạng hiệu lực “{status}”: hãy chọn trong mục Hiệu lực."),
    (r"'(?P<name>\w+):' is given twice with different values\.", "Trường “{name}:” được ghi hai lần với hai giá trị khác nhau."),
    (r"Unknown parameters?: (?P<names>.*)\.", "Tham số không hợp lệ: {names}."),
]
_COMPILED = [(re.compile(pattern, re.DOTALL), template) for pattern, template in _MESSAGES]


def vietnamese(message: str) -> str:
    """The Vietnamese wording of one of the engine's error messages."""
    for pattern, template in _COMPILED:
        match = pattern.fullmatch(message.strip())
        if match:
            values = match.groupdict()
            if "param" in values:  # a request parameter, by its label on the page
                values["param"] = _PARAMETERS.get(values["param"], values["param"])
            return template.format(**values)
    return GENERAL
