//! Reshapes the AccessKit tree egui built for a frame: groups the recorded tables into header and
//! rows, turns buttons inside menus into menu items, and names the column-resize handles.

use std::collections::HashMap;

use egui::accesskit::{self, Action, Node, NodeId, Role, TreeUpdate};

use egui::Id;

use super::table::{self, TableRecord};

/// The frame's nodes with an index by id and each node's parent, kept right as nodes move.
struct Tree<'a> {
    nodes: &'a mut Vec<(NodeId, Node)>,
    index: HashMap<NodeId, usize>,
    parent: HashMap<NodeId, NodeId>,
}

impl<'a> Tree<'a> {
    fn new(nodes: &'a mut Vec<(NodeId, Node)>) -> Self {
        let index = nodes.iter().enumerate().map(|(position, (id, _))| (*id, position)).collect();
        let mut parent = HashMap::new();
        for (id, node) in nodes.iter() {
            for child in node.children() {
                parent.insert(*child, *id);
            }
        }
        Tree { nodes, index, parent }
    }

    fn get_mut(&mut self, id: NodeId) -> Option<&mut Node> {
        let position = *self.index.get(&id)?;
        Some(&mut self.nodes[position].1)
    }

    fn contains(&self, id: NodeId) -> bool {
        self.index.contains_key(&id)
    }

    /// Moves `child` (with everything under it) under `new_parent`, at the end of its children.
    fn reparent(&mut self, child: NodeId, new_parent: NodeId) {
        if let Some(old) = self.parent.get(&child).copied()
            && let Some(node) = self.get_mut(old)
        {
            let kept: Vec<NodeId> = node.children().iter().copied().filter(|id| *id != child).collect();
            node.set_children(kept);
        }
        if let Some(node) = self.get_mut(new_parent) {
            node.push_child(child);
            self.parent.insert(child, new_parent);
        }
    }

    /// Adds a node egui did not make, under `parent`.
    fn add(&mut self, id: NodeId, node: Node, parent: NodeId) {
        self.index.insert(id, self.nodes.len());
        self.nodes.push((id, node));
        if let Some(parent_node) = self.get_mut(parent) {
            parent_node.push_child(id);
            self.parent.insert(id, parent);
        }
    }
}

/// Applies every fix to this frame's tree.
pub(super) fn finish_tree(update: &mut TreeUpdate, tables: &[TableRecord]) {
    let mut tree = Tree::new(&mut update.nodes);
    for record in tables {
        regroup_table(&mut tree, record);
        name_resize_handles(&mut tree, &record.resize_handles);
    }
    unfocus_layout_containers(&mut tree);
    menu_items(&mut tree);
}

fn regroup_table(tree: &mut Tree<'_>, record: &TableRecord) {
    let table_id = record.table.accesskit_id();
    if !tree.contains(table_id) {
        return;
    }
    let header_row = record.header_row_id();
    let mut header_node = Node::new(Role::Row);
    header_node.set_row_index(0);
    tree.add(header_row, header_node, table_id);
    // The header row is where its headers are (every node has a place on screen).
    let mut header_bounds: Option<accesskit::Rect> = None;
    for (column, header) in record.headers.iter().enumerate() {
        if let Some(node) = header.cell.and_then(|cell| tree.get_mut(cell.accesskit_id())) {
            node.remove_action(Action::Focus);
        }
        let button = header.button.accesskit_id();
        if let Some(node) = tree.get_mut(button) {
            table::make_header(node, header, column);
            if let Some(bounds) = node.bounds() {
                header_bounds = Some(header_bounds.map_or(bounds, |all| all.union(bounds)));
            }
            tree.reparent(button, header_row);
        }
    }
    let header_bounds = header_bounds.or_else(|| tree.get_mut(table_id).and_then(|table| table.bounds()));
    if let (Some(bounds), Some(node)) = (header_bounds, tree.get_mut(header_row)) {
        node.set_bounds(bounds);
    }
    for row in &record.rows {
        let row_id = record.row_id(row.position);
        tree.add(row_id, table::row_node(row), table_id);
        for (column, cell) in row.cells.iter().enumerate() {
            let cell = cell.accesskit_id();
            if let Some(node) = tree.get_mut(cell) {
                table::make_cell(node, row.position + 1, column);
                tree.reparent(cell, row_id);
            }
        }
    }
    if let Some(node) = tree.get_mut(table_id) {
        node.set_role(Role::Table);
        node.set_label(record.name.clone());
        // The header counts as a row, as in an HTML table.
        node.set_row_count(record.total_rows + 1);
        node.set_column_count(record.headers.len());
        if let Some(position) = record.current_row {
            node.set_active_descendant(record.row_id(position));
        }
    }
}

/// A column-resize handle is a splitter named after the column it widens.
fn name_resize_handles(tree: &mut Tree<'_>, handles: &[(Id, String)]) {
    for (handle, column) in handles {
        if let Some(node) = tree.get_mut(handle.accesskit_id()) {
            node.set_role(Role::Splitter);
            node.set_label(format!("Width of the {column} column"));
        }
    }
}

/// egui makes every `Ui` that senses clicks focusable, such as each cell of the queue's table; as
/// unnamed layout containers they would be stops where a screen reader has nothing to say (AT-SPI
/// hides them, and the widgets inside them take focus themselves).
fn unfocus_layout_containers(tree: &mut Tree<'_>) {
    for (_, node) in tree.nodes.iter_mut() {
        if node.role() == Role::GenericContainer && node.label().is_none() && node.labelled_by().is_empty() {
            node.remove_action(Action::Focus);
        }
    }
}

/// Buttons inside a menu are its items.
fn menu_items(tree: &mut Tree<'_>) {
    let menus: Vec<NodeId> =
        tree.nodes.iter().filter(|(_, node)| node.role() == Role::Menu).map(|(id, _)| *id).collect();
    let mut pending = Vec::new();
    for menu in menus {
        if let Some(&position) = tree.index.get(&menu) {
            pending.extend(tree.nodes[position].1.children().iter().copied());
        }
    }
    while let Some(id) = pending.pop() {
        let Some(node) = tree.get_mut(id) else { continue };
        match node.role() {
            Role::Button => node.set_role(Role::MenuItem),
            // A submenu's own items are handled when its menu is.
            Role::Menu => continue,
            _ => {}
        }
        pending.extend(node.children().iter().copied());
    }
}
