//! After going up (Back, Up, `..`, a breadcrumb), the folder the user came from is selected and
//! scrolled into view, so they see where they were and can go on from there. A file whose path
//! was typed into the path bar is selected the same way once its folder is shown.

use super::FilePane;

impl FilePane {
    /// Selects the entry of the folder shown that leads to `old` (the folder shown before), if
    /// `old` lies below it and the entry is among the rows shown.
    pub(super) fn select_where_we_came_from(&mut self, old: &str) {
        let Some(name) = child_towards(&self.path, old) else { return };
        let Some(position) = self.rows.iter().position(|&index| self.entries[index].name == name) else { return };
        self.select_only(self.rows[position]);
        self.scroll_to_row = Some(position);
    }

    /// Selects the entry called `name` and scrolls it into view; a hidden one is shown first, as
    /// the user asked for it by name. False when the folder has no such entry.
    pub fn reveal(&mut self, name: &str) -> bool {
        let Some(index) = self.entries.iter().position(|entry| entry.name == name) else { return false };
        if !self.rows.contains(&index) && !self.view.show_hidden {
            self.view.show_hidden = true;
            self.rows_stale = true;
            self.refresh_rows();
        }
        let Some(position) = self.rows.iter().position(|&row| row == index) else { return false };
        self.select_only(index);
        self.scroll_to_row = Some(position);
        true
    }
}

/// The name of the entry of folder `folder` on the way down to `below`: "b" for "/a" and
/// "/a/b/c"; None when `below` is not inside `folder`.
fn child_towards<'a>(folder: &str, below: &'a str) -> Option<&'a str> {
    let rest = below.strip_prefix(folder)?;
    // "/ab" is not inside "/a": the prefix must end at a separator.
    let rest = if folder.ends_with('/') || folder.is_empty() { rest } else { rest.strip_prefix('/')? };
    rest.split('/').find(|component| !component.is_empty())
}

#[cfg(test)]
mod tests {
    use super::child_towards;

    #[test]
    fn the_child_on_the_way_down_is_found() {
        assert_eq!(child_towards("/a", "/a/b/c"), Some("b"));
        assert_eq!(child_towards("/", "/a/b"), Some("a"));
        assert_eq!(child_towards("/a/", "/a/b"), Some("b"));
        assert_eq!(child_towards("docs", "docs/old"), Some("old"));
        assert_eq!(child_towards("/a", "/ab"), None);
        assert_eq!(child_towards("/a", "/a"), None);
        assert_eq!(child_towards("/a/b", "/a"), None);
    }
}
