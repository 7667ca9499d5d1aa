import { AspectPriority, Aspects, IAspect } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Applies every aspect applied to `from` (`Tags.of(from).add(...)` included) to `to` and its children as well.
 *
 * A construct that puts some of its parts under another scope (another stack) keeps the promise that what a user
 * applies to it reaches all of its resources. The aspects are read when the app is synthesized, so the ones added
 * after the construct was created are forwarded too. In `to`, they run at `AspectPriority.MUTATING`.
 *
 * @see https://docs.aws.amazon.com/cdk/v2/guide/aspects.html
 */
export function forwardAspects(from: IConstruct, to: IConstruct): void {
  Aspects.of(to).add(new ForwardedAspects(from), { priority: AspectPriority.MUTATING });
}

class ForwardedAspects implements IAspect {
  constructor(private readonly from: IConstruct) {}

  public visit(node: IConstruct): void {
    for (const aspect of Aspects.of(this.from).all) {
      aspect.visit(node);
    }
  }
}
