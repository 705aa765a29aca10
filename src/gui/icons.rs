//! Small vector icons drawn with the painter (the default fonts have no pictographs), crisp at
//! any scale because they are shapes, not bitmaps.

use egui::{Color32, Painter, Pos2, Rect, Shape, Stroke, StrokeKind, Ui, Vec2, pos2, vec2};

use crate::model::EntryKind;

/// The side of the square icons take in a row, in points.
pub const ICON_SIZE: f32 = 16.0;

/// Allocates a square icon for an entry kind and paints it; assistive technology reads it as an
/// image named "Folder", "File", "Link" or "Other".
pub fn entry_icon(ui: &mut Ui, kind: EntryKind) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(ICON_SIZE), egui::Sense::hover());
    if ui.is_rect_visible(rect) {
        let color = ui.visuals().text_color();
        let painter = ui.painter();
        match kind {
            EntryKind::Dir => paint_folder(painter, rect, folder_color(ui)),
            EntryKind::File | EntryKind::Other => paint_file(painter, rect, color),
            EntryKind::Symlink => paint_symlink(painter, rect, color),
        }
    }
    let description = match kind {
        EntryKind::Dir => "Folder",
        EntryKind::File => "File",
        EntryKind::Symlink => "Link",
        EntryKind::Other => "Other",
    };
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, description));
    response
}

/// The icon of a listing's row: a link to a folder is a folder with the link arrow, named
/// "Link to a folder"; other entries are drawn by their kind.
pub fn row_icon(ui: &mut Ui, entry: &crate::model::Entry) -> egui::Response {
    if entry.kind != EntryKind::Symlink || entry.link_kind != Some(EntryKind::Dir) {
        return entry_icon(ui, entry.kind);
    }
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(ICON_SIZE), egui::Sense::hover());
    if ui.is_rect_visible(rect) {
        paint_folder(ui.painter(), rect, folder_color(ui));
        paint_link_arrow(ui.painter(), rect, ui.visuals().text_color());
    }
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, "Link to a folder"));
    response
}

/// A folder colour that reads on both light and dark backgrounds.
fn folder_color(ui: &Ui) -> Color32 {
    if ui.visuals().dark_mode { Color32::from_rgb(0xE8, 0xB8, 0x4A) } else { Color32::from_rgb(0xC8, 0x90, 0x20) }
}

/// A folder: a body with a tab on its top-left.
pub fn paint_folder(painter: &Painter, rect: Rect, color: Color32) {
    let body =
        Rect::from_min_max(pos2(rect.left() + 1.0, rect.top() + 4.0), pos2(rect.right() - 1.0, rect.bottom() - 2.0));
    let tab = Rect::from_min_max(pos2(body.left(), rect.top() + 2.0), pos2(body.left() + 6.0, body.top() + 1.0));
    painter.rect_filled(tab, 1.0, color);
    painter.rect_filled(body, 1.5, color);
    painter.line_segment(
        [pos2(body.left() + 1.0, body.top() + 2.5), pos2(body.right() - 1.0, body.top() + 2.5)],
        Stroke::new(1.0, color.gamma_multiply(0.6)),
    );
}

/// A page with a folded top-right corner.
pub fn paint_file(painter: &Painter, rect: Rect, color: Color32) {
    let stroke = Stroke::new(1.2, color);
    let left = rect.left() + 3.0;
    let right = rect.right() - 3.0;
    let top = rect.top() + 1.5;
    let bottom = rect.bottom() - 1.5;
    let fold = 4.0;
    let outline = vec![
        pos2(left, top),
        pos2(right - fold, top),
        pos2(right, top + fold),
        pos2(right, bottom),
        pos2(left, bottom),
    ];
    painter.add(Shape::closed_line(outline, stroke));
    painter.add(Shape::line(
        vec![pos2(right - fold, top), pos2(right - fold, top + fold), pos2(right, top + fold)],
        stroke,
    ));
}

/// A page with a curved arrow in its lower-left corner, like file managers mark links.
pub fn paint_symlink(painter: &Painter, rect: Rect, color: Color32) {
    paint_file(painter, rect, color.gamma_multiply(0.7));
    paint_link_arrow(painter, rect, color);
}

/// The curved arrow in an icon's lower-left corner that marks a link.
fn paint_link_arrow(painter: &Painter, rect: Rect, color: Color32) {
    let stroke = Stroke::new(1.5, color);
    let base = pos2(rect.left() + 5.0, rect.bottom() - 3.0);
    let tip = pos2(rect.left() + 10.0, rect.bottom() - 8.0);
    let curve = vec![base, pos2(base.x, tip.y + 1.0), pos2(base.x + 1.0, tip.y), tip];
    painter.add(Shape::line(curve, stroke));
    painter.add(Shape::line(vec![pos2(tip.x - 2.5, tip.y - 2.5), tip, pos2(tip.x - 2.5, tip.y + 2.5)], stroke));
}

/// A small triangle showing sort direction: pointing up for ascending.
pub fn paint_sort_arrow(painter: &Painter, center: Pos2, ascending: bool, color: Color32) {
    let half = 4.0;
    let points = if ascending {
        vec![
            pos2(center.x - half, center.y + 2.0),
            pos2(center.x + half, center.y + 2.0),
            pos2(center.x, center.y - 3.0),
        ]
    } else {
        vec![
            pos2(center.x - half, center.y - 2.0),
            pos2(center.x + half, center.y - 2.0),
            pos2(center.x, center.y + 3.0),
        ]
    };
    painter.add(Shape::convex_polygon(points, color, Stroke::NONE));
}

/// A chevron pointing right, between breadcrumbs.
pub fn paint_chevron(painter: &Painter, center: Pos2, color: Color32) {
    let stroke = Stroke::new(1.2, color);
    painter
        .add(Shape::line(vec![center + vec2(-2.0, -4.0), center + vec2(2.0, 0.0), center + vec2(-2.0, 4.0)], stroke));
}

/// The frame drawn around a pane (or a row) that will receive a drop.
pub fn paint_drop_highlight(painter: &Painter, rect: Rect, color: Color32) {
    painter.rect_filled(rect, 4.0, color.gamma_multiply(0.12));
    painter.rect_stroke(rect, 4.0, Stroke::new(2.0, color), StrokeKind::Inside);
}

/// The pictures of the pane's toolbar buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolIcon {
    /// An arrow pointing left.
    Back,
    /// An arrow pointing right.
    Forward,
    /// An arrow pointing up.
    Up,
    /// A house.
    Home,
    /// A circular arrow.
    Refresh,
}

/// A square toolbar button showing `icon`; screen readers and tests know it by `label`, and the
/// pointer shows `hint`.
pub fn tool_button(ui: &mut Ui, enabled: bool, icon: ToolIcon, label: &str, hint: &str) -> egui::Response {
    let side = ui.spacing().interact_size.y.max(22.0);
    let response = ui.add_enabled(enabled, egui::Button::new("").min_size(Vec2::splat(side)));
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, enabled, label));
    if ui.is_rect_visible(response.rect) {
        let color = if enabled { ui.visuals().text_color() } else { ui.visuals().weak_text_color() };
        paint_tool_icon(ui.painter(), response.rect.shrink(5.0), icon, color);
    }
    response.on_hover_text(hint)
}

fn paint_tool_icon(painter: &Painter, rect: Rect, icon: ToolIcon, color: Color32) {
    let stroke = Stroke::new(1.6, color);
    let c = rect.center();
    let r = rect.width().min(rect.height()) / 2.0;
    let arrow = |direction: Vec2| {
        let tail = c - direction * r;
        let tip = c + direction * r;
        let side = vec2(-direction.y, direction.x) * (r * 0.6);
        let back = tip - direction * (r * 0.6);
        painter.line_segment([tail, tip], stroke);
        painter.add(Shape::line(vec![back + side, tip, back - side], stroke));
    };
    match icon {
        ToolIcon::Back => arrow(vec2(-1.0, 0.0)),
        ToolIcon::Forward => arrow(vec2(1.0, 0.0)),
        ToolIcon::Up => arrow(vec2(0.0, -1.0)),
        ToolIcon::Home => {
            let roof = vec![pos2(c.x - r, c.y), pos2(c.x, c.y - r), pos2(c.x + r, c.y)];
            painter.add(Shape::line(roof, stroke));
            let walls = vec![
                pos2(c.x - r * 0.7, c.y - r * 0.25),
                pos2(c.x - r * 0.7, c.y + r),
                pos2(c.x + r * 0.7, c.y + r),
                pos2(c.x + r * 0.7, c.y - r * 0.25),
            ];
            painter.add(Shape::line(walls, stroke));
        }
        ToolIcon::Refresh => {
            // Three quarters of a circle, with the arrow head at its open end.
            let points: Vec<Pos2> = (0..=18)
                .map(|step| {
                    let angle = -std::f32::consts::FRAC_PI_2 + step as f32 / 18.0 * 1.5 * std::f32::consts::PI;
                    c + vec2(angle.cos(), angle.sin()) * r * 0.85
                })
                .collect();
            let end = c + vec2(0.0, -r * 0.85);
            painter.add(Shape::line(points, stroke));
            painter.add(Shape::line(vec![end + vec2(-r * 0.5, -r * 0.4), end, end + vec2(-r * 0.5, r * 0.4)], stroke));
        }
    }
}
