//! A target group health check's success codes (the API's `Matcher.HttpCode`, aws-behaviour.md
//! §9): the HTTP codes a health-check answer must have to pass. Written as AWS writes them: one
//! code (`200`), a list (`200,202`), a range (`200-299`) or a mix (`200,300-399`); an ALB takes
//! codes 200 to 499, and the default is `200`. A set of at most 300 codes, kept as a bit set so
//! the health check stays a plain value.

/// The codes an ALB's matcher may name.
pub const MATCHER_CODES: (u16, u16) = (200, 499);

const WORDS: usize = (MATCHER_CODES.1 - MATCHER_CODES.0) as usize / 64 + 1;

/// Which answer codes pass a health check.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Matcher {
    /// Bit `code - 200` is set for each code that passes.
    bits: [u64; WORDS],
}

/// AWS's default: `200` only.
impl Default for Matcher {
    fn default() -> Self {
        let mut m = Matcher { bits: [0; WORDS] };
        m.insert(200);
        m
    }
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let codes: Vec<u16> = (MATCHER_CODES.0..=MATCHER_CODES.1).filter(|c| self.matches(*c)).collect();
        write!(f, "Matcher({codes:?})")
    }
}

impl Matcher {
    /// Parses AWS's syntax; the error says what is wrong with the first bad part.
    pub fn parse(text: &str) -> Result<Matcher, String> {
        let mut m = Matcher { bits: [0; WORDS] };
        for part in text.split(',').map(str::trim) {
            let (low, high) = match part.split_once('-') {
                Some((a, b)) => (code(a)?, code(b)?),
                None => (code(part)?, code(part)?),
            };
            if low > high {
                return Err(format!("the range `{part}` runs backwards"));
            }
            (low..=high).for_each(|c| m.insert(c));
        }
        Ok(m)
    }

    /// Whether an answer with HTTP status `code` passes.
    pub fn matches(&self, code: u16) -> bool {
        (MATCHER_CODES.0..=MATCHER_CODES.1).contains(&code) && {
            let i = usize::from(code - MATCHER_CODES.0);
            self.bits[i / 64] & (1 << (i % 64)) != 0
        }
    }

    fn insert(&mut self, code: u16) {
        let i = usize::from(code - MATCHER_CODES.0);
        self.bits[i / 64] |= 1 << (i % 64);
    }
}

/// One code of a matcher, within the ALB's range.
fn code(text: &str) -> Result<u16, String> {
    let text = text.trim();
    let (low, high) = MATCHER_CODES;
    match text.parse::<u16>() {
        Ok(c) if (low..=high).contains(&c) => Ok(c),
        _ => Err(format!("`{text}` is not an HTTP code from {low} to {high}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_lists_and_ranges_parse_as_aws_writes_them() {
        assert!(Matcher::default().matches(200) && !Matcher::default().matches(301));
        let m = Matcher::parse("200-299, 302").unwrap();
        assert!(m.matches(200) && m.matches(299) && m.matches(302));
        assert!(!m.matches(301) && !m.matches(199) && !m.matches(500));
        let all = Matcher::parse("200-499").unwrap();
        assert!(all.matches(499) && all.matches(404));
        assert!(Matcher::parse("299-200").unwrap_err().contains("backwards"));
        assert!(Matcher::parse("200,abc").unwrap_err().contains("`abc`"));
        assert!(Matcher::parse("100").is_err() && Matcher::parse("500").is_err());
    }
}
