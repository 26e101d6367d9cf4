"""Reference agencies of procedures.md, loaded once into the registry (then administered)."""

from __future__ import annotations

REFERENCE_AGENCIES: tuple[dict[str, str], ...] = (
    {
        "code": "UBCT-PCPNN",
        "name_vi": "Ủy ban công tác về các tổ chức phi chính phủ nước ngoài",
        "name_en": "Committee for Foreign NGO Affairs",
        "email": "ubct-pcpnn@agencies.example.org",
    },
    {
        "code": "BNG",
        "name_vi": "Bộ Ngoại giao",
        "name_en": "Ministry of Foreign Affairs",
        "email": "bng@agencies.example.org",
    },
    {
        "code": "BCA",
        "name_vi": "Bộ Công an",
        "name_en": "Ministry of Public Security",
        "email": "bca@agencies.example.org",
    },
    {
        "code": "BTC",
        "name_vi": "Bộ Tài chính",
        "name_en": "Ministry of Finance",
        "email": "btc@agencies.example.org",
    },
    {
        "code": "BNV",
        "name_vi": "Bộ Nội vụ",
        "name_en": "Ministry of Home Affairs",
        "email": "bnv@agencies.example.org",
    },
    {
        "code": "NHNN",
        "name_vi": "Ngân hàng Nhà nước Việt Nam",
        "name_en": "State Bank of Vietnam",
        "email": "nhnn@agencies.example.org",
    },
    {
        "code": "BYT",
        "name_vi": "Bộ Y tế",
        "name_en": "Ministry of Health",
        "email": "byt@agencies.example.org",
    },
    {
        "code": "BGDDT",
        "name_vi": "Bộ Giáo dục và Đào tạo",
        "name_en": "Ministry of Education and Training",
        "email": "bgddt@agencies.example.org",
    },
    {
        "code": "BNNMT",
        "name_vi": "Bộ Nông nghiệp và Môi trường",
        "name_en": "Ministry of Agriculture and Environment",
        "email": "bnnmt@agencies.example.org",
    },
    {
        "code": "UBND-HN",
        "name_vi": "Ủy ban nhân dân thành phố Hà Nội",
        "name_en": "Hà Nội People's Committee",
        "email": "ubnd-hn@agencies.example.org",
    },
    {
        "code": "UBND-DN",
        "name_vi": "Ủy ban nhân dân thành phố Đà Nẵng",
        "name_en": "Đà Nẵng People's Committee",
        "email": "ubnd-dn@agencies.example.org",
    },
    {
        "code": "UBND-HCM",
        "name_vi": "Ủy ban nhân dân Thành phố Hồ Chí Minh",
        "name_en": "Hồ Chí Minh City People's Committee",
        "email": "ubnd-hcm@agencies.example.org",
    },
    {
        "code": "UBND-QT",
        "name_vi": "Ủy ban nhân dân tỉnh Quảng Trị",
        "name_en": "Quảng Trị People's Committee",
        "email": "ubnd-qt@agencies.example.org",
    },
    {
        "code": "SNGV-QT",
        "name_vi": "Sở Ngoại vụ tỉnh Quảng Trị",
        "name_en": "Quảng Trị Department of Foreign Affairs",
        "email": "sngv-qt@agencies.example.org",
    },
    {
        "code": "STC-QT",
        "name_vi": "Sở Tài chính tỉnh Quảng Trị",
        "name_en": "Quảng Trị Department of Finance",
        "email": "stc-qt@agencies.example.org",
    },
    {
        "code": "CA-QT",
        "name_vi": "Công an tỉnh Quảng Trị",
        "name_en": "Quảng Trị Police",
        "email": "ca-qt@agencies.example.org",
    },
    {
        "code": "LHHN-QT",
        "name_vi": "Liên hiệp các tổ chức hữu nghị tỉnh Quảng Trị",
        "name_en": "Quảng Trị Union of Friendship Organisations",
        "email": "lhhn-qt@agencies.example.org",
    },
    {
        "code": "SYT-QT",
        "name_vi": "Sở Y tế tỉnh Quảng Trị",
        "name_en": "Quảng Trị Department of Health",
        "email": "syt-qt@agencies.example.org",
    },
    {
        "code": "LHHN",
        "name_vi": "Liên hiệp các tổ chức hữu nghị Việt Nam",
        "name_en": "Vietnam Union of Friendship Organisations",
        "email": "lhhn@agencies.example.org",
    },
)
