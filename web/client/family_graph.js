// The family's lineage graph: which members are shown (the neighbourhood of the current
// workshop, grown by the reader's "show more"), laid out by dagre and drawn as SVG whose nodes
// are links, so it stays sharp at any zoom and a screen reader reads each node's name.
//
// A family can hold ten thousand members: drawing them all would hang the page and help no
// one, so the graph shows the current workshop's line up to the root, the adoptions beside
// each member on it, and the first adoptions below it, at most BATCH per member until the
// reader asks for more.

import dagre from '@dagrejs/dagre'
import { _, day, ngettext, number } from './i18n.js'

export const BATCH = 12
const SMALL = 60 // a family this small is drawn whole
const NODE_WIDTH = 260
const NODE_HEIGHT = 82
const SVG = 'http://www.w3.org/2000/svg'

/** The lineage answer as a tree: members by id, each one's children and adoption edge. */
export class Family {
  /**
   * @param {object} lineage the lineage API's answer
   * @param {{id: string, title: string, organisation: string}} current the workshop the page
   *   is read through: its reader may read it, private or not, so it shows by its name
   */
  constructor (lineage, current) {
    this.root = lineage.root
    this.current = current.id
    this.nodes = new Map(lineage.nodes.map((node) => [node.id, node]))
    if (this.nodes.get(current.id)?.private) {
      this.nodes.set(current.id, { id: current.id, title: current.title, organisation: current.organisation })
    }
    this.edges = new Map(lineage.edges.map((edge) => [edge.child, edge]))
    this.children = new Map()
    for (const edge of lineage.edges) {
      if (!this.children.has(edge.parent)) this.children.set(edge.parent, [])
      this.children.get(edge.parent).push(edge.child)
    }
    // How many are shown of each member's adoptions; the rest wait for "show more".
    this.shownChildren = new Map()
    this.onLine = new Set(this.line())
    const everything = this.nodes.size <= SMALL
    for (const id of everything ? this.nodes.keys() : this.onLine) {
      this.shownChildren.set(id, everything ? Infinity : BATCH)
    }
  }

  /** The members from the root down to the current workshop. */
  line () {
    const line = [this.current]
    while (this.edges.has(line[0])) line.unshift(this.edges.get(line[0]).parent)
    return line
  }

  kids (id) {
    return this.children.get(id) ?? []
  }

  /** Live adoptions anywhere below the member ("in use in N places"). */
  inUse (id) {
    let count = 0
    const stack = [...this.kids(id)]
    while (stack.length) {
      const child = stack.pop()
      if (!this.nodes.get(child)?.deleted) count += 1
      stack.push(...this.kids(child))
    }
    return count
  }

  /** The members to show, parents before their children. */
  visible () {
    const shown = []
    const stack = [this.root]
    while (stack.length) {
      const id = stack.pop()
      shown.push(id)
      const limit = this.shownChildren.get(id) ?? 0
      const kids = this.kids(id).slice(0, limit)
      // The line to the current workshop is always shown, however far down its list.
      const next = this.kids(id).find((child) => this.onLine.has(child))
      if (next && !kids.includes(next)) kids.push(next)
      stack.push(...kids.reverse())
    }
    return shown
  }

  hiddenChildren (id) {
    const shown = Math.min(this.shownChildren.get(id) ?? 0, this.kids(id).length)
    return this.kids(id).length - shown
  }

  showMore (id) {
    this.shownChildren.set(id, (this.shownChildren.get(id) ?? 0) + BATCH)
  }

  /** What a member is called on the page; a private or deleted one by what it is. */
  name (id) {
    const node = this.nodes.get(id)
    if (node?.private) return _('a private adoption')
    if (node?.deleted) return _('a deleted adoption')
    return node?.title ?? id
  }

  /** The member's second line: organisation, place and adoption date, as far as shown. */
  facts (id) {
    const node = this.nodes.get(id)
    const edge = this.edges.get(id)
    const parts = []
    if (node?.organisation) parts.push(node.organisation)
    if (node?.place && node.place !== node.organisation) parts.push(node.place)
    if (edge?.forked_at) parts.push(day(edge.forked_at))
    return parts.join(' · ')
  }
}

function svg (tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag)
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value)
  if (text !== undefined) node.textContent = text
  return node
}

function clip (text, length) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text
}

/** A name in at most two lines of about `length` characters, broken between words. */
function lines (text, length) {
  if (text.length <= length) return [text]
  const cut = text.lastIndexOf(' ', length)
  const at = cut > 0 ? cut : length
  return [text.slice(0, at), clip(text.slice(at).trim(), length)]
}

/** Lay out the shown members with dagre and draw them into `container` as SVG. */
export function drawGraph (container, family, shown) {
  const graph = new dagre.graphlib.Graph()
  graph.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 48, marginx: 8, marginy: 8 })
  graph.setDefaultEdgeLabel(() => ({}))
  const set = new Set(shown)
  for (const id of shown) graph.setNode(id, { width: NODE_WIDTH, height: NODE_HEIGHT })
  for (const id of shown) {
    const edge = family.edges.get(id)
    if (edge && set.has(edge.parent)) graph.setEdge(edge.parent, id)
  }
  dagre.layout(graph)
  const { width, height } = graph.graph()
  const root = svg('svg', {
    viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`,
    width: Math.ceil(width),
    height: Math.ceil(height),
    role: 'group',
    'aria-label': _('Lineage graph of the family')
  })
  for (const { v, w } of graph.edges()) {
    const points = graph.edge(v, w).points.map((point) => `${point.x},${point.y}`).join(' ')
    root.append(svg('polyline', { points, class: 'edge', 'aria-hidden': 'true' }))
  }
  for (const id of shown) {
    const { x, y } = graph.node(id)
    const node = family.nodes.get(id)
    const hidden = node?.private || node?.deleted
    const link = svg(hidden ? 'g' : 'a', {
      class: `member${id === family.current ? ' current' : ''}${hidden ? ' hidden-member' : ''}`,
      'data-member': id,
      transform: `translate(${x - NODE_WIDTH / 2},${y - NODE_HEIGHT / 2})`
    })
    if (!hidden) link.setAttribute('href', `/workshops/${id}/family`)
    if (id === family.current) link.setAttribute('aria-current', 'page')
    const facts = family.facts(id)
    const inUse = id === family.root ? family.inUse(id) : 0
    const label = [family.name(id), facts,
      inUse ? ngettext('In use in {n} place', 'In use in {n} places', inUse) : ''].filter(Boolean)
    if (hidden) {
      link.setAttribute('role', 'img')
      link.setAttribute('aria-label', label.join(', '))
    }
    link.append(svg('title', {}, label.join('\n')),
      svg('rect', { width: NODE_WIDTH, height: NODE_HEIGHT, rx: 6 }),
      ...lines(family.name(id), 36).map((line, index) =>
        svg('text', { x: 10, y: 20 + 16 * index, class: 'title' }, line)),
      svg('text', { x: 10, y: 56, class: 'facts' }, clip(facts, 44)))
    if (inUse) {
      link.append(svg('text', { x: 10, y: 72, class: 'facts in-use' },
        ngettext('In use in {n} place', 'In use in {n} places', inUse)))
    } else if (family.hiddenChildren(id)) {
      link.append(svg('text', { x: 10, y: 72, class: 'facts more' },
        _('{count} more adoptions', { count: number(family.hiddenChildren(id)) })))
    }
    root.append(link)
  }
  container.replaceChildren(root)
}
