from spotify_assets.sandbox.header_case import as_given


def test_names_keep_their_case_when_lowercased_and_still_equal_plain_bytes():
    headers = as_given([(b"content-type", b"x"), (b"Retry-After", b"30"), (b"retry-after", b"5")])
    assert headers == [(b"content-type", b"x"), (b"Retry-After", b"30"), (b"retry-after", b"5")]
    assert [name.lower() for name, _ in headers] == [
        b"content-type",
        b"Retry-After",
        b"retry-after",
    ]
