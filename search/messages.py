"""The engine's messages in Vietnamese, for what people read: the web pages and the CLI's
errors and human output.

The engine (and so the CLI's JSON and `--batch` lines) words its errors and the reasons
a file was skipped in English. Each known message is matched by its pattern and re-worded
with the values it names. On the web, a query error no pattern knows gets a general
Vietnamese sentence rather than English; elsewhere an unknown message is shown as it is.
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
    (r"Unknown status '(?P<status>.*)': use one of (?P<choices>.*)\.",
     "Không có tình trạng hiệu lực “{status}”: hãy dùng một trong {choices}."),
    (r"'(?P<name>\w+):' is given twice with different values\.", "Trường “{name}:” được ghi hai lần với hai giá trị khác nhau."),
    (r"Unknown parameters?: (?P<names>.*)\.", "Tham số không hợp lệ: {names}."),
    # The index (search/index_store.py, search/indexer.py, search/writer.py) and the CLI.
    (r"no index at (?P<path>.*): run `(?P<command>.*)` first",
     "Chưa có chỉ mục tại {path}: hãy chạy `{command}` trước."),
    (r"the index at (?P<path>.*) is incomplete \(its first build has not finished\): run `(?P<command>.*)`",
     "Chỉ mục tại {path} chưa hoàn tất (lần lập chỉ mục đầu tiên chưa xong): hãy chạy `{command}`."),
    (r"the index at (?P<path>.*) is damaged: run `(?P<command>.*)`",
     "Chỉ mục tại {path} bị hỏng: hãy chạy `{command}`."),
    (r"the index at (?P<path>.*) was made by another version of notice-search: run `(?P<command>.*)`",
     "Chỉ mục tại {path} do một phiên bản khác của notice-search tạo ra: hãy chạy `{command}`."),
    (r"the index at (?P<path>.*) is being written by another process; try again when it finishes",
     "Chỉ mục tại {path} đang được một tiến trình khác ghi; hãy thử lại khi tiến trình đó xong."),
    (r"the build failed \((?P<reason>.*)\); the index at (?P<path>.*) is as it was before it",
     "Lập chỉ mục không thành công ({reason}); chỉ mục tại {path} vẫn như trước."),
    (r"nothing to index: no such file or folder: (?P<path>.*)",
     "Không có gì để lập chỉ mục: không có tệp hay thư mục {path}."),
    (r"no document '(?P<key>.*)' in the index", "Không có văn bản “{key}” trong chỉ mục."),
    (r"cannot read (?P<path>.*?): (?P<reason>.*)", "Không đọc được {path}: {reason}."),
    (r"cannot listen on (?P<address>\S+): (?P<reason>.*)", "Không mở được địa chỉ {address}: {reason}."),
]

# Why a file was skipped (search/readers), as the CLI's human output says it.
_FILE_REASONS = [
    (r"empty file", "tệp rỗng"),
    (r"no text in the file", "tệp không có chữ"),
    (r"no text to index", "không có nội dung để lập chỉ mục"),
    (r"binary file", "tệp nhị phân, không phải văn bản"),
    (r"not UTF-8 or UTF-16 text(?P<detail>.*)", "không phải văn bản UTF-8 hay UTF-16{detail}"),
    (r"permission denied", "không có quyền đọc"),
    (r"no such file", "không có tệp này"),
    (r"no such file or folder", "không có tệp hay thư mục này"),
    (r"broken link", "liên kết hỏng (trỏ tới tệp không còn)"),
    (r"is a folder, not a file", "là thư mục, không phải tệp"),
    (r"file name is not valid UTF-8", "tên tệp không phải UTF-8 hợp lệ"),
    (r"file too large \((?P<size>\S+) MB, limit (?P<limit>\d+) MB\)", "tệp quá lớn ({size} MB, tối đa {limit} MB)"),
    (r"a zip archive, not a Word file", "tệp nén zip, không phải tệp Word"),
    (r"broken (?P<kind>Word|RTF|image) file(?P<detail>.*)", "tệp {kind} bị hỏng{detail}"),
    (r"a Word 97–2003 file, but antiword is not installed: (?P<install>.*)",
     "tệp Word 97–2003 nhưng máy chưa cài antiword: {install}"),
    (r"not a readable Word 97–2003 file(?P<detail>.*)", "tệp Word 97–2003 không đọc được{detail}"),
    (r"(?:reading|antiword|OCR of one image) took (?:too long|over)(?P<detail>.*)", "đọc tệp quá lâu ({detail})"),
    (r"OCR failed(?P<detail>.*)", "nhận dạng chữ (OCR) không thành công{detail}"),
    (r"the reader (?:crashed on this file|stopped without a result)(?P<detail>.*)",
     "trình đọc tệp dừng giữa chừng{detail}"),
]


def vietnamese(message: str, unknown: str | None = GENERAL) -> str:
    """The Vietnamese wording of one of the engine's error messages; `unknown` (or, if None,
    the message itself) for one no pattern knows."""
    return _reword(message, _MESSAGES) or (message if unknown is None else unknown)


def file_reason(reason: str) -> str:
    """Why a file was skipped, in Vietnamese where the reason is known."""
    return _reword(reason, _FILE_REASONS) or reason


def _reword(message: str, patterns: list[tuple[str, str]]) -> str | None:
    # Each pattern is compiled on first use (re's cache): most processes reword nothing.
    for pattern, template in patterns:
        match = re.fullmatch(pattern, message.strip(), re.DOTALL)
        if match:
            values = match.groupdict()
            if "param" in values:  # a request parameter, by its label on the page
                values["param"] = _PARAMETERS.get(values["param"], values["param"])
            return template.format(**values)
    return None
