import { Link } from '../app/router';
import { StatusBadge } from '../common/StatusBadge';
import { ownerName, useDirectory } from '../directory/directory';
import { DelegationTree, TreeNode } from './delegation-tree';

/**
 * A delegation tree drawn as nested lists (lines join each sub-agent to its parent): every agent with its status,
 * tier and owner, each a link; the agent the page is about is marked. Lists nest, so a screen reader says each level.
 */
export function DelegationTreeView({ tree, currentId, label }: { tree: DelegationTree; currentId?: string; label: string }) {
  return (
    <ul className="tree" aria-label={label}>
      <TreeItem node={tree.root} currentId={currentId} />
    </ul>
  );
}

function TreeItem({ node, currentId }: { node: TreeNode; currentId?: string }) {
  const directory = useDirectory();
  const { agent } = node;
  const current = agent.id === currentId;
  return (
    <li>
      <div className={current ? 'tree-node tree-current' : 'tree-node'}>
        {current ? (
          <strong aria-current="page">
            {agent.name} <span className="tree-here">(this agent)</span>
          </strong>
        ) : (
          <Link to={`/agents/${agent.id}`}>{agent.name}</Link>
        )}{' '}
        <StatusBadge status={agent.status} /> <span className="muted">{agent.riskTier} risk</span>
        <span className="tree-owner">
          owner <Link to={`/owners/${encodeURIComponent(agent.ownerId)}`}>{ownerName(directory.owner(agent.ownerId), agent.ownerId)}</Link>
        </span>
      </div>
      {node.children.length > 0 && (
        <ul aria-label={`Sub-agents of ${agent.name}`}>
          {node.children.map((child) => (
            <TreeItem key={child.agent.id} node={child} currentId={currentId} />
          ))}
        </ul>
      )}
    </li>
  );
}
